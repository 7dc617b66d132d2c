// Small helpers with no state: prices, message ids, waiting.

/** A price in the shopper's locale, e.g. "$139.00"; plain "USD 139" if the locale is unknown. */
export function formatMoney(amount, currency, locale) {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency || 'USD' })
      .format(amount);
  } catch {
    return (currency || '') + ' ' + amount;
  }
}

/** A random UUID (v4): the idempotency key of one shopper message. */
export function newMessageId() {
  try {
    return crypto.randomUUID();
  } catch {
    // An insecure context (plain http) or an old browser: build one from random bytes.
  }
  const bytes = new Uint8Array(16);
  try {
    crypto.getRandomValues(bytes);
  } catch {
    bytes.forEach((_, i) => { bytes[i] = Math.random() * 256; });
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => (byte + 256).toString(16).slice(1)).join('');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)]
    .join('-');
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
