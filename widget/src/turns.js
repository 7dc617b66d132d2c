// One shopper message, sent: the reply streams in token by token, then the cards and any
// handoff. Offline, the message waits in the outbox; if the stream breaks, the transcript is
// read back from the server until the reply is there.

import { sleep } from './format.js';
import { ApiError, errorDetail } from './transport/api.js';
import { readServerSentEvents } from './transport/events.js';
import { addToOutbox, removeFromOutbox } from './transport/outbox.js';
import { handoffIsLive } from './render/handoff.js';

const GENERIC_FAILURE = 'Sorry, something went wrong. Please try again.';
const RECOVERY_TRIES = 5;

/**
 * Sends one message and shows its reply. The same message is never sent twice at once.
 * @param {import('./chat.js').Chat} chat
 * @param {{id: string, text: string}} item the text and its idempotency key
 * @param {import('./render/transcript.js').Bubble} bubble the shopper's bubble for it
 */
export async function sendTurn(chat, item, bubble) {
  if (chat.sending.has(item.id)) return;
  chat.sending.add(item.id);
  try {
    await attempt(chat, item, bubble, false);
  } finally {
    chat.sending.delete(item.id);
  }
}

async function attempt(chat, item, bubble, retried) {
  const { api, transcript, composer } = chat;
  if (navigator.onLine === false) {
    keepForLater(chat, item, bubble);
    return;
  }
  const reply = transcript.add('assistant', '');
  reply.showTyping();
  let response;
  let refused = null; // {status, message} when the server said no
  try {
    await chat.ensureConversation();
    response = await api.request('POST', api.conversationPath('/messages'),
      { text: item.text, client_message_id: item.id }, 'text/event-stream');
    if (!response.ok) refused = { status: response.status, message: await errorDetail(response) };
  } catch (error) {
    if (!(error instanceof ApiError)) { // the network is down: keep it for later
      reply.remove();
      keepForLater(chat, item, bubble);
      return;
    }
    refused = { status: error.status, message: error.message };
  }
  if (refused) {
    reply.remove();
    const gone = refused.status === 401 || refused.status === 404;
    if (gone && !retried && api.conversation) { // expired or erased: start a new conversation
      chat.forgetConversation();
      await attempt(chat, item, bubble, true);
      return;
    }
    removeFromOutbox(item.id);
    transcript.discardLocal(bubble);
    chat.updateHumanButton();
    composer.showError(refused.message);
    composer.restore(item.text); // nothing typed is lost
    return;
  }

  removeFromOutbox(item.id);
  transcript.markQueued(bubble, false);
  composer.showError('');
  const lastIdBefore = transcript.lastId;
  const conversation = api.conversation;
  const { done, failure, streamed } = await readReply(response, reply, transcript);
  if (api.conversation !== conversation) return; // signed out meanwhile: the reply is not theirs
  if (done) {
    showFinishedReply(chat, done, reply, bubble, streamed);
    transcript.lastId = lastIdBefore; // pick up ids, and anything an agent wrote meanwhile
    await chat.refresh(false);
  } else if (failure) {
    reply.remove();
    composer.showError(failure);
  } else {
    reply.setText('…');
    await recover(chat);
  }
}

function keepForLater(chat, item, bubble) {
  addToOutbox(item);
  chat.transcript.markQueued(bubble, true);
}

/** The reply as it streams: `done` is the final event's data, `failure` the server's error. */
async function readReply(response, reply, transcript) {
  let streamed = '';
  let done = null;
  let failure = null;
  try {
    if (/json/.test(response.headers.get('content-type') || '')) {
      done = await response.json();
    } else {
      await readServerSentEvents(response, (event, data) => {
        if (event === 'token') {
          streamed += data.text || '';
          reply.setText(streamed);
          transcript.scrollToEnd();
        } else if (event === 'reset') { // words withdrawn by the reply check: the facts follow
          streamed = '';
          reply.setText('');
        } else if (event === 'done') {
          done = data;
        } else if (event === 'error') {
          failure = (data && data.detail) || GENERIC_FAILURE;
        }
      });
    }
  } catch {
    // The stream broke mid-reply: the caller recovers from the transcript.
  }
  return { done, failure, streamed };
}

function showFinishedReply(chat, done, reply, bubble, streamed) {
  const { transcript } = chat;
  const answer = done.reply || {};
  const text = String(answer.text != null ? answer.text : streamed);
  const suggestions = answer.suggestions || [];
  if (!text.trim() && !suggestions.length) {
    reply.remove();
  } else {
    reply.setText(text);
    reply.text = text.trim();
    transcript.pending.push(reply);
    // message_id is the shopper's message, reply_message_id the reply's.
    if (done.reply_message_id != null) transcript.remember(done.reply_message_id, reply);
    if (suggestions.length) transcript.showCards(reply, suggestions);
  }
  if (done.message_id != null) {
    transcript.remember(done.message_id, bubble);
    transcript.confirm(bubble);
  }
  if (done.route === 'human' || handoffIsLive(done.handoff)) {
    chat.setMode('human');
    chat.handoff.offer(done.handoff);
  }
}

/** The stream broke: read the transcript back a few times until the reply is in it. */
async function recover(chat) {
  for (let attemptNumber = 0; attemptNumber < RECOVERY_TRIES; attemptNumber++) {
    await sleep(attemptNumber ? 1500 : 400);
    if (chat.api.conversation && await chat.refresh(true)) {
      const lastRole = chat.transcript.lastRole();
      if (lastRole && lastRole !== 'shopper') return;
    }
  }
  chat.composer.showError('The reply was interrupted. Please try again.');
}
