// The message log: the shopper's, the assistant's and the team's messages, in order.
//
// A message the shopper sends shows at once, before the server has it ("pending"). When the
// transcript comes back from the server, each pending bubble is matched to its stored message
// (by the message's client id, or by role and text), so nothing shows twice.

import { element } from '../dom.js';
import { productCards } from './cards.js';

// Screen readers hear who speaks; agents get a visible name instead.
const SPOKEN_PREFIX = { shopper: 'You: ', assistant: 'Assistant: ', system: '' };

/** One message on screen. */
export class Bubble {
  constructor(role, text, author) {
    /** 'shopper', 'assistant', 'agent' or 'system' */
    this.role = /^(shopper|assistant|agent)$/.test(role) ? role : 'system';
    this.textElement = element('div', { text: text || '' });
    this.element = element('div', {
      class: 'message message-' + this.role, 'data-testid': 'message', 'data-role': this.role,
    }, [
      this.role === 'agent'
        ? element('div', { class: 'author', text: (author || 'Someone') + ' from our team' })
        : SPOKEN_PREFIX[this.role] && element('span', {
          class: 'visually-hidden', text: SPOKEN_PREFIX[this.role],
        }),
      this.textElement,
    ]);
    /** the shopper message's idempotency key, while it is pending */
    this.clientId = null;
    /** the trimmed text a pending bubble is matched on */
    this.text = '';
    /** the product cards under this bubble, if any */
    this.cards = null;
    /** the "Waiting for connection" line of a message typed offline */
    this.queuedMarker = null;
  }

  setText(text) {
    this.textElement.textContent = text;
  }

  showTyping() {
    this.textElement.append(element('span', { class: 'typing', 'data-testid': 'typing' }, [
      element('i'), element('i'), element('i'),
      element('span', { class: 'visually-hidden', text: 'Typing…' }),
    ]));
  }

  remove() {
    this.element.remove();
  }
}

export class Transcript {
  /**
   * @param {{greeting: string, locale: string, onMessageShown: () => void}} options
   *   `onMessageShown` runs after each new bubble (the "talk to a person" button counts them).
   */
  constructor({ greeting, locale, onMessageShown }) {
    this.greeting = greeting;
    this.locale = locale;
    this.onMessageShown = onMessageShown;
    this.log = element('div', {
      class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0',
    });
    /** @type {Bubble[]} shown here, not yet matched to a message the server sent back */
    this.pending = [];
    /** @type {Map<string, Bubble>} server message id -> its bubble */
    this.shownById = new Map();
    /** @type {Map<string, Bubble>} the shopper's own messages by client id */
    this.localByClientId = new Map();
    /** the highest server message id shown: the next poll asks for what came after */
    this.lastId = 0;
  }

  /** A new bubble at the end of the log. */
  add(role, text, author) {
    const bubble = new Bubble(role, text, author);
    this.log.append(bubble.element);
    this.scrollToEnd();
    this.onMessageShown();
    return bubble;
  }

  /** The shopper's message, shown before the server has it; `queued` when typed offline. */
  addLocal(item, queued) {
    let bubble = this.localByClientId.get(item.id);
    if (!bubble) {
      bubble = this.add('shopper', item.text);
      this.localByClientId.set(item.id, bubble);
    }
    bubble.clientId = item.id;
    bubble.text = item.text.trim();
    if (!this.pending.includes(bubble)) this.pending.push(bubble);
    this.markQueued(bubble, queued);
    return bubble;
  }

  markQueued(bubble, queued) {
    if (bubble.queuedMarker) bubble.queuedMarker.remove();
    bubble.queuedMarker = queued
      ? element('div', { class: 'queued', 'data-testid': 'queued', text: 'Waiting for connection' })
      : null;
    if (queued) bubble.element.append(bubble.queuedMarker);
  }

  /** The server has this bubble's message: it no longer waits to be matched. */
  confirm(bubble) {
    this.pending = this.pending.filter((waiting) => waiting !== bubble);
  }

  /** A reply or message the server stored under `id`, already on screen. */
  remember(id, bubble) {
    this.shownById.set(String(id), bubble);
  }

  hasShown(id) {
    return id != null && this.shownById.has(String(id));
  }

  /** One message from the server: matched to a pending bubble, or shown as a new one. */
  addServerMessage(message) {
    if (message.id != null) {
      this.lastId = Math.max(this.lastId, Number(message.id) || 0);
      const shown = this.shownById.get(String(message.id));
      if (shown) {
        this.confirm(shown);
        return;
      }
    }
    const text = (message.text || '').trim();
    let bubble = this.pending.find((waiting) => waiting.role === message.role && (
      message.client_message_id ? waiting.clientId === message.client_message_id
        : waiting.text === text));
    if (bubble) {
      this.confirm(bubble);
      if (!bubble.element.isConnected) {
        this.log.append(bubble.element);
        if (bubble.cards) this.log.append(bubble.cards);
      }
    } else {
      bubble = this.add(message.role, message.text, message.author);
      if (message.suggestions && message.suggestions.length) {
        this.showCards(bubble, message.suggestions);
      }
    }
    if (message.id != null) this.remember(message.id, bubble);
  }

  showCards(bubble, suggestions) {
    const cards = productCards(suggestions, this.locale);
    bubble.element.after(cards);
    bubble.cards = cards;
    this.scrollToEnd();
  }

  /**
   * An empty log with the greeting, before the server's transcript is drawn again. The
   * shopper's pending messages are kept, to go back after it (`reattachPending`).
   */
  reset() {
    const keep = this.pending.filter((bubble) => bubble.role === 'shopper');
    for (const bubble of keep) bubble.remove();
    this.log.textContent = '';
    this.shownById.clear();
    this.lastId = 0;
    this.pending = keep;
    this.add('assistant', this.greeting).element.setAttribute('data-testid', 'greeting');
  }

  /** Messages the server has not confirmed yet (sending or queued) go after the transcript. */
  reattachPending() {
    for (const bubble of this.pending) {
      if (!bubble.element.isConnected) this.log.append(bubble.element);
    }
  }

  /** A message the server refused: gone from the screen and from the pending list. */
  discardLocal(bubble) {
    this.confirm(bubble);
    bubble.remove();
    this.localByClientId.delete(bubble.clientId);
  }

  /** After the shopper deleted their data: nothing of theirs is waiting any more. */
  forgetLocal() {
    this.pending = [];
    this.localByClientId.clear();
  }

  /** Forget which server messages are on screen (a new conversation starts from id 0). */
  forgetServerIds() {
    this.shownById.clear();
    this.lastId = 0;
  }

  shopperMessageCount() {
    return this.log.querySelectorAll('.message-shopper').length;
  }

  /** The role of the last message on screen, or null when there is none. */
  lastRole() {
    const messages = this.log.querySelectorAll('.message');
    return messages.length ? messages[messages.length - 1].dataset.role : null;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
