// The settings panel behind the gear: the personalisation switch, export and delete my data.

import { element, lineIcon } from './dom.js';
import { errorText } from './transport/api.js';

const NOTE_FOR_MS = 6000;
const SLIDERS_ICON = 'M4 7h10M18 7h2M4 17h2M10 17h10M16 5v4M8 15v4';

export class SettingsPanel {
  /**
   * @param {{api: import('./transport/api.js').Api, onDataDeleted: () => void}} options
   *   `onDataDeleted` runs once the server has erased the shopper's data.
   */
  constructor({ api, onDataDeleted }) {
    this.api = api;
    this.onDataDeleted = onDataDeleted;
    /** whether suggestions may use what the shopper said; sent when the conversation starts */
    this.personalization = true;
    this.noteTimer = 0;

    this.toggle = element('input', {
      type: 'checkbox', role: 'switch', checked: true, 'data-testid': 'personalization-toggle',
      onchange: () => this.changePersonalization(),
    });
    this.status = element('p', { role: 'status', class: 'muted', style: 'margin:0' });
    this.section = element('div', { class: 'settings', id: 'tandem-settings', hidden: true }, [
      element('label', { class: 'switch' }, [this.toggle, 'Personalised suggestions']),
      element('p', {
        class: 'muted', style: 'margin:0',
        text: 'Use what you tell us in this chat (sizes, preferences) to tailor suggestions.',
      }),
      element('button', {
        type: 'button', class: 'link', text: 'Export my data', 'data-testid': 'export-data',
        onclick: () => this.exportData(),
      }),
      element('button', {
        type: 'button', class: 'link', text: 'Delete my data', 'data-testid': 'delete-data',
        onclick: () => this.deleteData(),
      }),
      this.status,
    ]);
    this.gearButton = element('button', {
      type: 'button', class: 'icon-button', 'aria-label': 'Settings', 'aria-expanded': 'false',
      'aria-controls': 'tandem-settings', 'data-testid': 'settings',
      onclick: () => this.toggleOpen(),
    }, [lineIcon(SLIDERS_ICON)]);
  }

  toggleOpen() {
    this.section.hidden = !this.section.hidden;
    this.gearButton.setAttribute('aria-expanded', String(!this.section.hidden));
    if (!this.section.hidden) this.toggle.focus();
  }

  /** The server's word on the switch (the transcript carries it). */
  showPersonalization(on) {
    this.toggle.checked = on;
    this.personalization = on;
  }

  /** A short status line in the panel, gone after six seconds. */
  note(message) {
    this.status.textContent = message;
    clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(() => { this.status.textContent = ''; }, NOTE_FOR_MS);
  }

  async changePersonalization() {
    const on = this.toggle.checked;
    const confirmation = on ? 'Personalised suggestions are on.'
      : 'Personalised suggestions are off.';
    if (!this.api.conversation) {
      this.personalization = on; // sent when the conversation starts
      this.note(confirmation);
      return;
    }
    try {
      await this.api.call('PUT', this.api.conversationPath('/privacy'), { personalization: on });
      this.personalization = on;
      this.note(confirmation);
    } catch (error) {
      this.toggle.checked = !on;
      this.note(errorText(error));
    }
  }

  async exportData() {
    if (!this.api.conversation) {
      this.note('We have no data stored for you yet.');
      return;
    }
    try {
      const data = await this.api.call('GET', '/v1/me/data');
      const file = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const link = element('a', {
        href: URL.createObjectURL(file), download: 'my-data.json', hidden: true,
      });
      this.section.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      this.note('Your data was downloaded as my-data.json.');
    } catch (error) {
      this.note(errorText(error));
    }
  }

  async deleteData() {
    if (!this.api.conversation) {
      this.note('We have no data stored for you.');
      return;
    }
    if (!window.confirm('Delete your chat history and personal data? This cannot be undone.')) {
      return;
    }
    try {
      await this.api.call('DELETE', '/v1/me/data');
      this.onDataDeleted();
      this.note('Your data has been deleted.');
    } catch (error) {
      this.note(errorText(error));
    }
  }
}
