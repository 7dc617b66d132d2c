// Experiments against a control: who this visitor is, and whether they see the assistant.
//
// The visitor id is the retailer's (data-visitor-id on the script tag) or one made here and
// kept in localStorage and a first-party cookie (`tandem_visitor`), so the retailer's server
// sends its outcome events (purchases, returns) under the same id.  The widget asks
// GET /v1/assignments first: in a variant without the assistant (the control) the shopper
// writes to a person directly.

import { newMessageId } from './format.js';
import { load, save } from './storage.js';

export const VISITOR_KEY = 'tandem:visitor';
const COOKIE = 'tandem_visitor';
const VISITOR_ID = /^[\w.:@-]{1,128}$/;
const ONE_YEAR_S = 365 * 24 * 3600;
// An assignment that does not come quickly is not worth holding the widget for.
const ASSIGNMENT_TIMEOUT_MS = 3000;

/** The visitor's id: the retailer's, else the one kept from before, else a new one. */
export function visitorId(config) {
  const given = VISITOR_ID.test(config.visitorId || '') ? config.visitorId : '';
  const kept = load(VISITOR_KEY, '');
  const id = given || (VISITOR_ID.test(kept) ? kept : newMessageId());
  save(VISITOR_KEY, id);
  try {
    document.cookie = COOKIE + '=' + encodeURIComponent(id) + '; path=/; max-age=' + ONE_YEAR_S
      + '; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
  } catch {
    // Cookies blocked (a sandboxed frame): the id still serves this page.
  }
  return id;
}

/**
 * The visitor's experiments: `{experiments: {name: variant}, assistant: boolean}`. Failing
 * (offline, slow, an old server) means no experiment: the assistant, as without one.
 * @param {import('./transport/api.js').Api} api
 */
export async function assignments(api) {
  const none = { experiments: {}, assistant: true };
  const timeout = new Promise((resolve) => setTimeout(() => resolve(none), ASSIGNMENT_TIMEOUT_MS));
  const asked = api.call('GET', '/v1/assignments?visitor_id=' + encodeURIComponent(api.visitorId))
    .then((answer) => (answer && typeof answer.assistant === 'boolean' ? answer : none))
    .catch(() => none);
  return Promise.race([asked, timeout]);
}
