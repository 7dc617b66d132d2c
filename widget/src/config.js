// What the retailer's <script> tag asks for (its data-* attributes), with the demo's defaults.

const DEFAULT_TITLE = 'Ridgeline help';
const DEFAULT_GREETING = 'Hi! I can help you find gear, pick a size or check an order.';
const DEFAULT_ACCENT = '#1f5f4a';
const HEX_COLOUR = /^#([0-9a-f]{3}){1,2}$/i;
// WCAG's minimum contrast for normal text.
const MIN_CONTRAST = 4.5;

/**
 * The widget's settings from the script tag that loaded it.
 * @param {HTMLScriptElement | undefined} script
 */
export function readConfig(script) {
  const data = (script && script.dataset) || {};
  const accent = HEX_COLOUR.test(data.color || '') ? data.color : DEFAULT_ACCENT;
  return {
    // The API is where the script came from, so a retailer's page needs no other setting.
    apiBase: script && script.src ? new URL(script.src, location.href).origin : location.origin,
    siteKey: data.tandemKey || '',
    title: data.title || DEFAULT_TITLE,
    greeting: data.greeting || DEFAULT_GREETING,
    accent,
    onAccent: textColourOn(accent),
    side: data.position === 'left' ? 'left' : 'right',
    locale: data.locale || navigator.language || 'en-US',
  };
}

/** White text on the accent, unless that would fall under 4.5:1 contrast: then near-black. */
export function textColourOn(accent) {
  return 1.05 / (relativeLuminance(accent) + 0.05) >= MIN_CONTRAST ? '#fff' : '#111';
}

function relativeLuminance(hex) {
  let digits = hex.slice(1);
  if (digits.length === 3) digits = digits.replace(/./g, '$&$&');
  const weights = [0.2126, 0.7152, 0.0722];
  return weights.reduce((sum, weight, channel) => {
    let value = parseInt(digits.substr(channel * 2, 2), 16) / 255;
    value = value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    return sum + value * weight;
  }, 0);
}
