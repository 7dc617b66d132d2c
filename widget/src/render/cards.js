// Product suggestion cards: name, price, size and colour, stock, the "because" line, add to cart.

import { element } from '../dom.js';
import { formatMoney } from '../format.js';

const ADDED_FOR_MS = 2000;

/**
 * The cards of one reply's suggestions, in one box placed under the reply.
 * @param {Array<object>} suggestions as the API sends them (`reply.suggestions`)
 * @param {string} locale for prices
 */
export function productCards(suggestions, locale) {
  const box = element('div', { class: 'cards' });
  for (const suggestion of suggestions) box.append(productCard(suggestion, locale));
  return box;
}

function productCard(suggestion, locale) {
  const name = String(suggestion.name || 'Product');
  const details = [suggestion.size && 'Size ' + suggestion.size, suggestion.color]
    .filter(Boolean).join(' · ');
  const outOfStock = suggestion.in_stock === false;
  const hasStock = suggestion.stock_note || suggestion.in_stock != null;
  const addButton = element('button', {
    type: 'button', class: 'add-to-cart', 'data-testid': 'add-to-cart',
    'aria-label': 'Add to cart: ' + name, text: 'Add to cart', disabled: outOfStock,
    onclick: () => addToCart(suggestion, name, addButton),
  });
  return element('div', { class: 'card', 'data-testid': 'suggestion-card' }, [
    placeholderImage(name),
    element('div', null, [
      element('div', { class: 'card-name', text: name }),
      element('div', { class: 'card-price', text: formatMoney(suggestion.price, suggestion.currency, locale) }),
      details && element('div', { class: 'muted', text: details }),
      hasStock && element('span', {
        class: 'stock' + (outOfStock ? ' out-of-stock' : ''),
        text: suggestion.stock_note || (suggestion.in_stock ? 'In stock' : 'Out of stock'),
      }),
      suggestion.because && element('p', { class: 'because', text: suggestion.because }),
      addButton,
    ]),
  ]);
}

/** The product's initials on a colour derived from its name (the API sends no images). */
function placeholderImage(name) {
  const initials = name.split(/\s+/).filter(Boolean).slice(0, 2)
    .map((word) => word[0]).join('').toUpperCase();
  const image = element('div', { class: 'card-image', 'aria-hidden': 'true', text: initials });
  let hue = 0;
  for (const character of name) hue = (hue * 31 + character.charCodeAt(0)) % 360;
  image.style.background = 'hsl(' + hue + ',40%,30%)';
  return image;
}

/** The storefront owns the cart: it hears `tandem:add-to-cart` on window. */
function addToCart(suggestion, name, button) {
  window.dispatchEvent(new CustomEvent('tandem:add-to-cart', {
    bubbles: true,
    composed: true,
    detail: {
      product_id: suggestion.product_id, variant_id: suggestion.variant_id,
      name, price: suggestion.price,
    },
  }));
  button.textContent = 'Added ✓';
  setTimeout(() => { button.textContent = 'Add to cart'; }, ADDED_FOR_MS);
}
