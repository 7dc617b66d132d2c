// The conversation as the shopper sees it: open and closed, assistant or person, in step with
// the server (read once on open, polled every 3 s while a person has the chat).

import { newMessageId } from './format.js';
import { OPEN_KEY, load, save } from './storage.js';
import { clearOutbox, outboxItems } from './transport/outbox.js';
import { sendTurn } from './turns.js';

const POLL_EVERY_MS = 3000;
// The shopper's messages before "Talk to a person" is offered.
const MESSAGES_BEFORE_HUMAN_BUTTON = 3;

export class Chat {
  /**
   * The parts are built first (main.js wires them); the chat decides what they show.
   * @param {object} parts
   * @param {import('./transport/api.js').Api} parts.api
   * @param {import('./render/transcript.js').Transcript} parts.transcript
   * @param {import('./render/handoff.js').HandoffView} parts.handoff
   * @param {import('./settings-panel.js').SettingsPanel} parts.settings
   * @param {import('./render/composer.js').Composer} parts.composer
   * @param {import('./render/frame.js').Frame} parts.frame
   */
  constructor({ api, transcript, handoff, settings, composer, frame }) {
    this.api = api;
    this.transcript = transcript;
    this.handoff = handoff;
    this.settings = settings;
    this.composer = composer;
    this.frame = frame;
    /** 'assistant', or 'human' while a person has (or is asked to take) the conversation */
    this.mode = 'assistant';
    this.isOpen = false;
    /** the server's transcript has been read since the page loaded */
    this.loaded = false;
    this.pollTimer = 0;
    /** ids of messages being sent right now */
    this.sending = new Set();
    // Turns, loads and outbox flushes run one after another, in the order asked for.
    this.queueTail = Promise.resolve();
  }

  /** Runs `task` after everything queued before it; a failure does not stop the queue. */
  enqueue(task) {
    this.queueTail = this.queueTail.then(task).catch(() => { /* keep the queue going */ });
    return this.queueTail;
  }

  /** Shows the widget on the page and restores what this tab had open. */
  boot() {
    document.body.append(this.frame.host);
    this.resetTranscript();
    window.addEventListener('online', () => this.flushOutbox());
    window.Tandem = {
      open: () => this.open(),
      close: () => this.close(),
      send: (text) => this.send(text),
      version: '0.1.0',
    };
    if (load(OPEN_KEY, 0, 'session')) this.open(); // it was open before a reload
    this.flushOutbox();
    window.dispatchEvent(new CustomEvent('tandem:ready'));
  }

  open() {
    if (this.isOpen) return;
    this.isOpen = true;
    this.frame.show();
    save(OPEN_KEY, 1, 'session');
    this.composer.focus();
    this.enqueue(() => this.loadOnce()).then(() => {
      if (this.isOpen && this.mode === 'human') {
        this.stopPolling();
        this.poll();
      }
    });
  }

  /** @param {boolean} [returnFocus] put the focus back on the launcher (Escape) */
  close(returnFocus) {
    if (!this.isOpen) return;
    const focusWasInside = this.frame.hasFocus();
    this.isOpen = false;
    this.frame.hide();
    this.stopPolling();
    save(OPEN_KEY, null, 'session');
    if (returnFocus || focusWasInside) this.frame.focusLauncher();
  }

  /** What the shopper typed (or `Tandem.send`): shown at once, sent in turn. */
  send(text) {
    const trimmed = String(text == null ? '' : text).trim();
    if (!trimmed) return Promise.resolve();
    if (!this.isOpen) this.open();
    this.composer.showError('');
    const item = { id: newMessageId(), text: trimmed };
    const bubble = this.transcript.addLocal(item, false);
    return this.enqueue(() => sendTurn(this, item, bubble));
  }

  /** Sends what was typed offline, oldest first, each once. */
  flushOutbox() {
    if (navigator.onLine === false) return;
    const items = outboxItems();
    if (items.length) this.enqueue(() => this.loadOnce());
    for (const item of items) {
      if (!item || !item.id || !item.text || this.sending.has(item.id)) continue;
      this.enqueue(() => sendTurn(this, item, this.transcript.addLocal(item, true)));
    }
  }

  /** Starts the conversation on the server if there is none yet. */
  async ensureConversation() {
    if (this.api.conversation) return;
    await this.api.createConversation(this.settings.personalization);
    this.loaded = true;
  }

  /** The server no longer knows the conversation (expired, erased): start afresh. */
  forgetConversation() {
    this.api.forgetConversation();
    this.transcript.forgetServerIds();
    this.handoff.joinedKey = '';
    this.handoff.agentName = '';
    this.setMode('assistant');
  }

  /** After "Delete my data": no conversation, no outbox, an empty log. */
  forgetEverything() {
    this.forgetConversation();
    clearOutbox();
    this.transcript.forgetLocal();
    this.resetTranscript();
  }

  setMode(mode) {
    this.mode = mode === 'human' ? 'human' : 'assistant';
    const human = this.mode === 'human';
    this.handoff.showMode(human);
    this.updateHumanButton();
    if (human && this.isOpen) this.startPolling();
    else this.stopPolling();
  }

  updateHumanButton() {
    this.frame.humanButton.hidden = this.mode === 'human'
      || this.transcript.shopperMessageCount() < MESSAGES_BEFORE_HUMAN_BUTTON;
  }

  resetTranscript() {
    this.transcript.reset();
    this.handoff.joinedKey = '';
  }

  /**
   * Reads the conversation from the server: all of it (`full`) or what came after the last
   * message shown. Resolves true once the widget shows what the server has (or there is no
   * conversation), false if it could not be read.
   */
  async refresh(full) {
    if (!this.api.conversation) {
      if (full) this.redrawWithPending();
      return true;
    }
    const lastId = this.transcript.lastId;
    let data;
    try {
      data = await this.api.call('GET',
        this.api.conversationPath(full || !lastId ? '' : '?after=' + lastId));
    } catch {
      // Dropped (401/404) counts as loaded: there is nothing left to read.
      if (!this.api.conversation) this.redrawWithPending();
      return !this.api.conversation;
    }
    if (full) this.resetTranscript();
    this.apply(data);
    this.transcript.reattachPending();
    this.transcript.scrollToEnd();
    return true;
  }

  redrawWithPending() {
    this.resetTranscript();
    this.transcript.reattachPending();
  }

  async loadOnce() {
    if (!this.loaded) this.loaded = await this.refresh(true);
  }

  /** The server's view of the conversation: new messages, the switch, the mode, the handoff. */
  apply(data) {
    if (!data) return;
    const messages = data.messages || [];
    let joined = this.handoff.agentJoined(data.handoff);
    // The server records its own "Sam from our team has joined" notice: show that one only.
    const agentName = this.handoff.agentName;
    if (joined && messages.some((message) => message.role === 'system'
        && (message.text || '').indexOf(agentName) >= 0)) joined = '';
    for (const message of messages) {
      // "Sam has joined" goes just before Sam's first message in this batch.
      if (joined && message.role === 'agent' && !this.transcript.hasShown(message.id)) {
        this.transcript.add('system', joined);
        joined = '';
      }
      this.transcript.addServerMessage(message);
    }
    if (joined) this.transcript.add('system', joined);
    if (typeof data.personalization === 'boolean') {
      this.settings.showPersonalization(data.personalization);
    }
    if (data.mode) this.setMode(data.mode);
    if ('handoff' in data) this.handoff.offer(data.handoff);
  }

  startPolling() {
    if (!this.pollTimer) this.pollTimer = setTimeout(() => this.poll(), POLL_EVERY_MS);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = 0;
  }

  /** One poll for what a person wrote; the next is scheduled while the chat stays open. */
  async poll() {
    this.pollTimer = 0;
    if (!this.isOpen || this.mode !== 'human' || !this.api.conversation) return;
    await this.refresh(false);
    if (this.isOpen && this.mode === 'human') this.startPolling();
  }
}
