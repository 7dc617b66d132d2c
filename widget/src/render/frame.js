// The widget's frame: a shadow root with the launcher button and the chat panel around the parts.

import { element } from '../dom.js';
import { stylesheet } from '../styles.js';

export class Frame {
  /**
   * @param {object} parts
   * @param {ReturnType<import('../config.js').readConfig>} parts.config
   * @param {import('../settings-panel.js').SettingsPanel} parts.settings
   * @param {import('./transcript.js').Transcript} parts.transcript
   * @param {import('./handoff.js').HandoffView} parts.handoff
   * @param {import('./composer.js').Composer} parts.composer
   * @param {() => void} parts.onLauncher the launcher was pressed (open or close)
   * @param {() => void} parts.onClose the panel's close button
   * @param {(event: KeyboardEvent) => void} parts.onEscape Escape pressed inside the widget
   * @param {() => void} parts.onAskForPerson "Talk to a person"
   */
  constructor({
    config, settings, transcript, handoff, composer, onLauncher, onClose, onEscape, onAskForPerson,
  }) {
    this.host = element('div', { id: 'tandem-widget' });
    this.root = this.host.attachShadow({ mode: 'open' });
    this.launcher = element('button', {
      type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'tandem-panel',
      'data-testid': 'launcher', text: 'Chat with us', onclick: onLauncher,
    });
    /** offered once the shopper has written three times and no person has the chat */
    this.humanButton = element('button', {
      type: 'button', class: 'human-button', 'data-testid': 'human-button', hidden: true,
      text: 'Talk to a person', onclick: onAskForPerson,
    });
    this.panel = element('div', {
      class: 'panel', id: 'tandem-panel', role: 'dialog', 'aria-label': config.title,
      'data-testid': 'panel', hidden: true,
    }, [
      element('div', { class: 'header' }, [
        element('h2', { text: config.title }),
        settings.gearButton,
        element('button', {
          type: 'button', class: 'icon-button', 'aria-label': 'Close chat', 'data-testid': 'close',
          text: '×', onclick: onClose,
        }),
      ]),
      settings.section,
      transcript.log,
      handoff.notice,
      handoff.contactForm,
      handoff.contactDone,
      this.humanButton,
      composer.form,
      composer.errorLine,
    ]);
    this.wrapper = element('div', {
      class: 'widget',
      onkeydown: (event) => { if (event.key === 'Escape') onEscape(event); },
    }, [this.panel, this.launcher]);
    this.root.append(element('style', { text: stylesheet(config) }), this.wrapper);
  }

  show() {
    this.panel.hidden = false;
    this.wrapper.classList.add('open');
    this.launcher.setAttribute('aria-expanded', 'true');
    this.launcher.textContent = 'Close chat';
  }

  hide() {
    this.panel.hidden = true;
    this.wrapper.classList.remove('open');
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.textContent = 'Chat with us';
  }

  /** Whether the keyboard focus is somewhere in the widget. */
  hasFocus() {
    return Boolean(this.root.activeElement);
  }

  focusLauncher() {
    this.launcher.focus();
  }
}
