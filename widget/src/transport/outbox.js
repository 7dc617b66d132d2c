// Messages typed while offline: kept in localStorage until the server has them.

import { OUTBOX_KEY, load, save } from '../storage.js';

/** @returns {Array<{id: string, text: string}>} waiting messages, oldest first */
export function outboxItems() {
  return load(OUTBOX_KEY, []);
}

export function addToOutbox(item) {
  const items = outboxItems();
  if (items.some((waiting) => waiting.id === item.id)) return;
  items.push(item);
  save(OUTBOX_KEY, items);
}

export function removeFromOutbox(id) {
  const items = outboxItems().filter((waiting) => waiting.id !== id);
  save(OUTBOX_KEY, items.length ? items : null);
}

export function clearOutbox() {
  save(OUTBOX_KEY, null);
}
