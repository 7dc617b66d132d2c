// When a person takes over: the notice above the composer, "Sam has joined", and, while nobody
// can answer, a form to leave an email (POST /v1/conversations/{id}/contact).

import { element } from '../dom.js';
import { errorText } from '../transport/api.js';

const OPEN_HANDOFF = /open|claimed/;
const CLOSED_HANDOFF = /resolved|returned/;

/** Whether a handoff still waits for or has a person (not resolved or handed back). */
export function handoffIsLive(handoff) {
  return Boolean(handoff) && !CLOSED_HANDOFF.test(handoff.status || '');
}

export class HandoffView {
  /**
   * @param {{isHumanMode: () => boolean, sendEmail: (email: string) => Promise<{email: string}>,
   *          focusComposer: () => void}} options
   *   `sendEmail` stores the shopper's email on the handoff and returns it as the server kept it.
   */
  constructor({ isHumanMode, sendEmail, focusComposer }) {
    this.isHumanMode = isHumanMode;
    this.sendEmail = sendEmail;
    this.focusComposer = focusComposer;
    /** the agent who took the conversation, or '' */
    this.agentName = '';
    /** handoff id and agent of the last "has joined" shown, so it shows once */
    this.joinedKey = '';
    /** the live handoff the email form belongs to, or null */
    this.handoff = null;
    /** the email the shopper left on it, or '' */
    this.email = '';
    /** the shopper chose "Change" to correct the email */
    this.editing = false;

    this.notice = element('div', {
      class: 'notice', role: 'status', 'data-testid': 'handoff-notice', hidden: true,
    });
    this.buildContactForm();
  }

  buildContactForm() {
    this.emailInput = element('input', {
      id: 'tandem-contact-email', type: 'email', autocomplete: 'email',
      'aria-describedby': 'tandem-contact-error', 'data-testid': 'contact-email',
    });
    this.emailError = element('p', {
      class: 'error', id: 'tandem-contact-error', role: 'alert', 'data-testid': 'contact-error',
      hidden: true,
    });
    this.emailButton = element('button', {
      type: 'submit', class: 'primary', 'data-testid': 'contact-send', text: 'Leave email',
    });
    // novalidate: the server's own message is shown, the same in every browser.
    this.contactForm = element('form', {
      class: 'contact', novalidate: true, 'aria-labelledby': 'tandem-contact-heading',
      'data-testid': 'contact-form', hidden: true, onsubmit: (event) => this.submitEmail(event),
    }, [
      element('p', {
        id: 'tandem-contact-heading',
        text: 'Nobody can answer right now. Leave your email and we’ll write back.',
      }),
      element('label', { for: 'tandem-contact-email', text: 'Your email' }),
      element('div', { class: 'contact-row' }, [this.emailInput, this.emailButton]),
      this.emailError,
    ]);
    this.thanksText = element('span');
    this.contactDone = element('p', {
      class: 'notice', role: 'status', tabindex: '-1', 'data-testid': 'contact-done', hidden: true,
    }, [
      this.thanksText, ' ',
      element('button', {
        type: 'button', class: 'link', text: 'Change', onclick: () => this.changeEmail(),
      }),
    ]);
  }

  /** "Sam has joined" the first time an agent holds this handoff, else ''. */
  agentJoined(handoff) {
    if (!handoff || !handoff.agent_name || !OPEN_HANDOFF.test(handoff.status || 'open')) return '';
    this.agentName = handoff.agent_name;
    const key = handoff.id + this.agentName;
    if (this.joinedKey === key) return '';
    this.joinedKey = key;
    return this.agentName + ' has joined';
  }

  /** The notice while a person has (or is about to have) the conversation. */
  showMode(human) {
    if (!human) this.agentName = '';
    this.notice.hidden = !human;
    if (!human) this.offer(null);
    this.notice.textContent = this.agentName
      ? 'You’re chatting with ' + this.agentName + ' from our team.'
      : 'Connecting you with our team…';
  }

  /** The email form while nobody can take the handoff; the thanks once an email is left. */
  offer(handoff) {
    const live = this.isHumanMode() && handoffIsLive(handoff);
    const focusWasInForm = this.contactForm.contains(this.contactForm.getRootNode().activeElement);
    this.handoff = live ? handoff : null;
    this.email = (live && handoff.contact_email) || '';
    if (!live) this.editing = false;
    this.contactForm.hidden = !(live && (this.editing || (handoff.contact_wanted && !this.email)));
    this.contactDone.hidden = !this.email || !this.contactForm.hidden;
    this.thanksText.textContent = 'Thanks! We’ll write to you at ' + this.email + '.';
    if (this.contactForm.hidden) this.emailError.hidden = true;
    if (focusWasInForm && this.contactForm.hidden) this.focusComposer();
  }

  changeEmail() {
    this.editing = true;
    this.emailInput.value = this.email;
    this.offer(this.handoff);
    this.emailInput.focus();
  }

  showEmailError(message) {
    this.emailError.textContent = message;
    this.emailError.hidden = !message;
    if (message) this.emailInput.setAttribute('aria-invalid', 'true');
    else this.emailInput.removeAttribute('aria-invalid');
  }

  async submitEmail(event) {
    event.preventDefault();
    const email = this.emailInput.value.trim();
    if (!email) {
      this.showEmailError('Please enter your email address.');
      this.emailInput.focus();
      return;
    }
    this.emailButton.disabled = true;
    try {
      const kept = await this.sendEmail(email);
      this.editing = false;
      this.showEmailError('');
      this.offer(Object.assign({}, this.handoff, { contact_email: kept.email }));
      this.contactDone.focus();
    } catch (error) {
      this.showEmailError(errorText(error));
      this.emailInput.focus();
    } finally {
      this.emailButton.disabled = false;
    }
  }
}
