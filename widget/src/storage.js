// Browser storage that never throws: private modes and blocked storage must not break the chat.

/** The conversation's id and token, so a reload resumes it. */
export const CONVERSATION_KEY = 'tandem:conversation';
/** Messages typed while offline, sent when the browser is back online. */
export const OUTBOX_KEY = 'tandem:outbox';
/** Whether the panel was open, for this tab only (sessionStorage). */
export const OPEN_KEY = 'tandem:open';

// Looked up inside the try: merely reading window.localStorage throws where it is blocked.
const AREAS = { local: () => window.localStorage, session: () => window.sessionStorage };

/**
 * The JSON value stored under `key`, or `fallback` when there is none or storage is blocked.
 * @param {'local' | 'session'} [area]
 */
export function load(key, fallback, area = 'local') {
  try {
    const raw = AREAS[area]().getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Stores `value` as JSON under `key`; null or undefined removes the key.
 * @param {'local' | 'session'} [area]
 */
export function save(key, value, area = 'local') {
  try {
    const storage = AREAS[area]();
    if (value == null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch {
    // Blocked or full: the widget still works for this page view.
  }
}
