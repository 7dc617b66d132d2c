// The conversation as the shopper sees it: open and closed, assistant or person, in step with
// the server (read once on open; while a person has the chat, the conversation's event stream
// says at once when something changed, and polling every 3 s stands in while it is down).

import { newMessageId, sleep } from './format.js';
import { OPEN_KEY, load, save } from './storage.js';
import { readServerSentEvents } from './transport/events.js';
import { clearOutbox, outboxItems } from './transport/outbox.js';
import { sendTurn } from './turns.js';

const POLL_EVERY_MS = 3000;
// Stream failures in a row before polling stands in (the stream keeps retrying meanwhile).
const STREAM_FAILURES_BEFORE_POLLING = 2;
const STREAM_RETRY_MAX_MS = 15000;
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
    /** @type {AbortController | null} the live event stream, while one is open */
    this.live = null;
    /** the last event id seen: a reconnect resumes after it, so nothing is missed */
    this.lastEventId = '';
    /** a read of the transcript is queued already (a burst of events needs one) */
    this.refreshQueued = false;
    /** ids of messages being sent right now */
    this.sending = new Set();
    /** an experiment's control: the shopper writes to a person, never to the assistant */
    this.assistantShown = true;
    // Turns, loads and outbox flushes run one after another, in the order asked for.
    this.queueTail = Promise.resolve();
  }

  /** Runs `task` after everything queued before it; a failure does not stop the queue. */
  enqueue(task) {
    this.queueTail = this.queueTail.then(task).catch(() => { /* keep the queue going */ });
    return this.queueTail;
  }

  /**
   * In an experiment's control group: no assistant. The greeting invites a question for a
   * person, and "Talk to a person" is not offered (every message already goes to one).
   */
  withoutAssistant(personGreeting) {
    this.assistantShown = false;
    this.transcript.greeting = personGreeting;
    this.updateHumanButton();
  }

  /**
   * Shows the widget on the page and restores what this tab had open.
   * @param {Object<string, string>} [experiments] the visitor's variant per experiment
   */
  boot(experiments) {
    document.body.append(this.frame.host);
    this.resetTranscript();
    window.addEventListener('online', () => this.flushOutbox());
    window.Tandem = {
      open: () => this.open(),
      close: () => this.close(),
      send: (text) => this.send(text),
      signOut: () => this.signOut(),
      visitorId: this.api.visitorId,
      experiments: experiments || {},
      assistant: this.assistantShown,
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
        this.startLive();
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
    this.stopLive();
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
    this.stopLive();
    this.lastEventId = '';
    this.api.forgetConversation();
    this.transcript.forgetServerIds();
    this.handoff.joinedKey = '';
    this.handoff.agentName = '';
    this.setMode('assistant');
  }

  /**
   * The storefront calls `Tandem.signOut()` when the shopper signs out: the conversation's
   * token ends on the server and leaves this browser, so the next person here starts afresh.
   */
  async signOut() {
    const ending = this.api.endConversation();
    this.forgetEverything();
    await ending;
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
    if (human && this.isOpen) {
      this.startLive();
      if (!this.live) this.startPolling();
    } else {
      this.stopLive();
      this.stopPolling();
    }
  }

  updateHumanButton() {
    this.frame.humanButton.hidden = this.mode === 'human' || !this.assistantShown
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
    const conversation = this.api.conversation;
    let data;
    try {
      data = await this.api.call('GET',
        this.api.conversationPath(full || !lastId ? '' : '?after=' + lastId));
    } catch {
      // Dropped (401/404) counts as loaded: there is nothing left to read.
      if (!this.api.conversation) this.redrawWithPending();
      return !this.api.conversation;
    }
    // Signed out (or erased) while the read was on its way: what came back belongs to a
    // conversation this browser has forgotten, and must not be drawn again.
    if (this.api.conversation !== conversation) return true;
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

  /** Opens the conversation's event stream (once) while a person has the open chat. */
  startLive() {
    if (this.live || !this.api.conversation || typeof AbortController === 'undefined') return;
    const live = new AbortController();
    this.live = live;
    this.listen(live).finally(() => {
      if (this.live === live) this.live = null;
    });
  }

  stopLive() {
    if (this.live) this.live.abort();
    this.live = null;
  }

  /**
   * Reads the event stream until the person hands back or the chat closes: each event (an
   * agent's message, the handoff claimed or closed) reads the transcript from the last
   * message shown, through the same path as a poll. A dropped stream reconnects with the
   * last event id (the server replays what was missed); while it keeps failing, polling
   * stands in, and stops again once the stream is back.
   */
  async listen(live) {
    let failures = 0;
    while (!live.signal.aborted && this.isOpen && this.mode === 'human'
        && this.api.conversation) {
      try {
        const response = await this.api.events(this.lastEventId, live.signal);
        if (!response.ok) throw new Error('event stream: ' + response.status);
        failures = 0;
        this.stopPolling();
        await readServerSentEvents(response, (event, data, id) => {
          if (id) this.lastEventId = id;
          this.refreshSoon();
        });
      } catch {
        if (live.signal.aborted) return;
        failures += 1;
        if (failures >= STREAM_FAILURES_BEFORE_POLLING) this.startPolling();
      }
      await sleep(Math.min(500 * 2 ** failures, STREAM_RETRY_MAX_MS));
    }
  }

  /** One read of the transcript for a burst of events. */
  refreshSoon() {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    this.enqueue(() => {
      this.refreshQueued = false;
      return this.refresh(false);
    });
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
