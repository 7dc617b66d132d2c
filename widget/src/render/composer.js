// Where the shopper types: Enter sends, Shift+Enter starts a new line, the box grows to 120px.

import { element } from '../dom.js';

const MAX_HEIGHT_PX = 120;

export class Composer {
  /** @param {{onSend: (text: string) => void}} options */
  constructor({ onSend }) {
    this.onSend = onSend;
    this.input = element('textarea', {
      id: 'tandem-input', rows: '1', placeholder: 'Type your message…', 'data-testid': 'input',
      'aria-describedby': 'tandem-error',
      onkeydown: (event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.submit();
        }
      },
      oninput: () => this.fitHeight(),
    });
    this.form = element('form', {
      onsubmit: (event) => { event.preventDefault(); this.submit(); },
    }, [
      element('label', { for: 'tandem-input', class: 'visually-hidden', text: 'Message' }),
      this.input,
      element('button', { type: 'submit', class: 'primary', 'data-testid': 'send', text: 'Send' }),
    ]);
    /** the last error, under the composer (the server's words) */
    this.errorLine = element('p', {
      class: 'error', id: 'tandem-error', role: 'alert', 'data-testid': 'error', hidden: true,
    });
  }

  submit() {
    const text = this.input.value;
    if (!text.trim()) return;
    this.input.value = '';
    this.input.style.height = '';
    this.onSend(text);
  }

  fitHeight() {
    this.input.style.height = '';
    this.input.style.height = Math.min(this.input.scrollHeight + 2, MAX_HEIGHT_PX) + 'px';
  }

  /** Puts a message the server refused back in the box, before anything typed since. */
  restore(text) {
    this.input.value = text + (this.input.value ? '\n' + this.input.value : '');
    this.input.focus();
  }

  showError(message) {
    this.errorLine.textContent = message || '';
    this.errorLine.hidden = !message;
  }

  focus() {
    this.input.focus();
  }
}
