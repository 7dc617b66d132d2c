/*
 * Tandem chat widget: the entry point. It runs once, when the retailer's page loads
 *   <script src="https://HOST/widget.js" data-tandem-key="..." async></script>
 * (optional data-title, data-greeting, data-color (#rgb/#rrggbb), data-position (right|left),
 * data-locale), builds the parts and wires them together.
 *
 * The parts, each in its own module:
 *   config.js          the script tag's settings
 *   storage.js         localStorage and sessionStorage that never throw
 *   transport/         HTTP (api.js), the reply stream (events.js), the offline outbox
 *   render/            the frame, the transcript and its product cards, handoff notices and
 *                      the email form, the composer
 *   settings-panel.js  personalisation switch, export and delete my data
 *   chat.js, turns.js  what happens: opening, sending, streaming, polling, recovering
 */

import { Chat } from './chat.js';
import { readConfig } from './config.js';
import { Composer } from './render/composer.js';
import { Frame } from './render/frame.js';
import { HandoffView } from './render/handoff.js';
import { Transcript } from './render/transcript.js';
import { SettingsPanel } from './settings-panel.js';
import { Api } from './transport/api.js';

const HUMAN_REQUEST = "I'd like to talk to a person";

/** The <script> element that loaded this file. */
function ownScriptTag() {
  // document.currentScript is only set while this file first runs, so this runs at once.
  return document.currentScript || Array.from(document.querySelectorAll('script[src]'))
    .filter((script) => /widget\.js([?#]|$)/.test(script.src)).pop();
}

function buildChat(config) {
  // The parts call back into the chat only on events, after it exists.
  let chat = null;
  const api = new Api({
    apiBase: config.apiBase,
    siteKey: config.siteKey,
    onConversationLost: () => chat.forgetConversation(),
  });
  const transcript = new Transcript({
    greeting: config.greeting,
    locale: config.locale,
    onMessageShown: () => chat.updateHumanButton(),
  });
  const composer = new Composer({ onSend: (text) => chat.send(text) });
  const handoff = new HandoffView({
    isHumanMode: () => chat.mode === 'human',
    sendEmail: (email) => api.call('POST', api.conversationPath('/contact'), { email }),
    focusComposer: () => composer.focus(),
  });
  const settings = new SettingsPanel({ api, onDataDeleted: () => chat.forgetEverything() });
  const frame = new Frame({
    config, settings, transcript, handoff, composer,
    onLauncher: () => (chat.isOpen ? chat.close() : chat.open()),
    onClose: () => chat.close(),
    onEscape: (event) => {
      if (!chat.isOpen) return;
      event.preventDefault();
      chat.close(true);
    },
    onAskForPerson: () => chat.send(HUMAN_REQUEST),
  });
  chat = new Chat({ api, transcript, handoff, settings, composer, frame });
  return chat;
}

function start() {
  if (window.Tandem || window.__tandemLoading) return; // embedded twice: keep the first
  window.__tandemLoading = 1;
  const script = ownScriptTag();
  if (!window.fetch || !window.Promise) return;
  const chat = buildChat(readConfig(script));
  if (document.body) chat.boot();
  else document.addEventListener('DOMContentLoaded', () => chat.boot());
}

start();
