// HTTP to the Tandem API: the conversation's token, readable errors, one conversation at a time.

import { CONVERSATION_KEY, load, save } from '../storage.js';

const OFFLINE = 'You seem to be offline. Please try again.';

/** The server answered, and said no: `message` is its own words, fit to show the shopper. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** What went wrong, in a sentence: the server's `detail`, or a generic line with the status. */
export async function errorDetail(response) {
  let detail;
  try {
    detail = (await response.json()).detail;
  } catch {
    // Not JSON (a proxy's error page, say).
  }
  if (Array.isArray(detail)) detail = detail[0] && detail[0].msg; // FastAPI's validation errors
  return typeof detail === 'string' && detail
    ? detail
    : 'Something went wrong (' + response.status + '). Please try again.';
}

/** What to tell the shopper about a failed call: the server's words, or that they seem offline. */
export function errorText(error) {
  return error instanceof ApiError ? error.message : OFFLINE;
}

export class Api {
  /**
   * @param {{apiBase: string, siteKey: string, onConversationLost: () => void}} options
   *   `onConversationLost` runs when the server no longer knows the conversation (401/404).
   */
  constructor({ apiBase, siteKey, onConversationLost }) {
    this.apiBase = apiBase;
    this.siteKey = siteKey;
    this.onConversationLost = onConversationLost;
    /** @type {{id: string, token: string} | null} the shopper's conversation, kept across reloads */
    this.conversation = savedConversation();
    /** @type {Promise<object> | null} the conversation being created, so it is created once */
    this.creating = null;
  }

  /** The raw fetch: for the message stream, whose errors the caller reads itself. */
  request(method, path, body, accept) {
    const headers = { Accept: accept || 'application/json' };
    if (this.conversation) headers.Authorization = 'Bearer ' + this.conversation.token;
    if (this.siteKey) headers['X-Tandem-Key'] = this.siteKey;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(this.apiBase + path, {
      method,
      headers,
      credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /**
   * A JSON call: the parsed body (null for 204 or no JSON). Throws ApiError when the server
   * says no (and forgets the conversation if it is gone), or TypeError when offline.
   */
  async call(method, path, body) {
    const conversation = this.conversation;
    const response = await this.request(method, path, body);
    if (!response.ok) {
      const error = new ApiError(await errorDetail(response), response.status);
      const gone = response.status === 401 || response.status === 404;
      if (gone && conversation && conversation === this.conversation) this.onConversationLost();
      throw error;
    }
    return response.status === 204 ? null : response.json().catch(() => null);
  }

  /** The conversation's own path, e.g. `/v1/conversations/ID/messages` for `/messages`. */
  conversationPath(suffix) {
    return '/v1/conversations/' + encodeURIComponent(this.conversation.id) + (suffix || '');
  }

  /** Starts the conversation on the server; callers at the same time share one request. */
  createConversation(personalization) {
    if (!this.creating) {
      this.creating = this.call('POST', '/v1/conversations', { personalization })
        .then((created) => {
          this.conversation = { id: created.id, token: created.token };
          save(CONVERSATION_KEY, this.conversation);
          return this.conversation;
        })
        .finally(() => { this.creating = null; });
    }
    return this.creating;
  }

  forgetConversation() {
    this.conversation = null;
    save(CONVERSATION_KEY, null);
  }
}

function savedConversation() {
  const saved = load(CONVERSATION_KEY, null);
  return saved && saved.id && saved.token ? saved : null;
}
