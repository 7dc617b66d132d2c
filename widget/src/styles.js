// The widget's stylesheet. It lives in a shadow root: the page's CSS cannot reach in, nor this out.

/**
 * @param {{accent: string, onAccent: string, side: 'left' | 'right'}} look
 *   `onAccent` is the text colour readable on the accent.
 */
export function stylesheet({ accent, onAccent, side }) {
  return [
    ':host{all:initial}',
    '.widget{--accent:' + accent + ';--on-accent:' + onAccent + ';position:fixed;bottom:20px;'
      + side + ':20px;z-index:2147483000;'
      + 'font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;'
      + 'text-align:left}',
    '*{box-sizing:border-box}[hidden]{display:none!important}',
    '.panel>*{flex-shrink:0}.panel>.log{flex:1 1 0;min-height:80px}',
    'button,textarea{font:inherit;color:inherit}button{cursor:pointer}',
    'button:disabled{cursor:not-allowed;opacity:.6}',
    ':focus-visible{outline:3px solid #111;outline-offset:2px;box-shadow:0 0 0 5px #fff}',
    '.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);'
      + 'white-space:nowrap}',
    '.launcher{display:block;background:var(--accent);color:var(--on-accent);border:0;'
      + 'border-radius:99px;padding:12px 20px;font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.25)}',
    '.panel{position:absolute;bottom:64px;' + side + ':0;width:380px;max-width:calc(100vw - 40px);'
      + 'height:580px;max-height:calc(100vh - 110px);background:#fff;border-radius:14px;'
      + 'box-shadow:0 10px 40px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden;'
      + 'animation:rise .18s ease-out}',
    '@keyframes rise{from{opacity:0;transform:translateY(12px)}}',
    '.header{background:var(--accent);color:var(--on-accent);display:flex;align-items:center;'
      + 'gap:2px;padding:8px 8px 8px 16px}',
    '.header h2{margin:0;font-size:16px;font-weight:650;flex:1}',
    '.icon-button{background:none;border:0;width:36px;height:36px;border-radius:8px;display:grid;'
      + 'place-items:center;font-size:22px;line-height:1}',
    '.icon-button:hover{background:rgba(127,127,127,.25)}',
    '.settings{padding:12px 16px;border-bottom:1px solid #ddd;background:#f7f7f7;display:grid;'
      + 'gap:8px;font-size:14px}',
    '.switch{display:flex;align-items:center;gap:8px;font-weight:600}',
    '.switch input{width:18px;height:18px;accent-color:var(--accent);margin:0}',
    '.link{background:none;border:0;padding:0;text-decoration:underline;color:#1a1a1a;'
      + 'justify-self:start}',
    '.log{overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:10px}',
    '.message{max-width:85%;padding:9px 12px;border-radius:14px;white-space:pre-wrap;'
      + 'overflow-wrap:anywhere}',
    '.message-shopper{align-self:flex-end;background:var(--accent);color:var(--on-accent);'
      + 'border-bottom-right-radius:4px}',
    '.message-assistant,.message-agent{align-self:flex-start;background:#eef1f0;'
      + 'border-bottom-left-radius:4px}',
    '.message-agent{background:#fdf1dc}',
    '.message-system{align-self:center;color:#4a4a4a;font-size:13px;padding:2px 8px;'
      + 'text-align:center}',
    '.author{font-size:12px;font-weight:700;color:#4a4a4a}',
    '.queued{font-size:12px;font-style:italic;margin-top:2px}',
    '.cards{display:grid;gap:8px}',
    '.card{display:grid;grid-template-columns:56px 1fr;gap:10px;border:1px solid #d0d0d0;'
      + 'border-radius:12px;padding:10px;background:#fff}',
    '.card-image{width:56px;height:56px;border-radius:8px;display:grid;place-items:center;'
      + 'color:#fff;font-weight:700;font-size:18px}',
    '.card-name,.card-price{font-weight:600}.muted,.because{font-size:13px;color:#4a4a4a}',
    '.because{margin:4px 0}',
    '.stock{display:inline-block;font-size:12px;padding:1px 8px;border-radius:99px;'
      + 'background:#e3f1e7;color:#14532d}',
    '.stock.out-of-stock{background:#fbe9e7;color:#8a1c12}',
    '.add-to-cart{display:block;margin-top:6px;background:var(--accent);color:var(--on-accent);'
      + 'border:0;border-radius:8px;padding:6px 12px;font-weight:600}',
    '.typing{display:inline-flex;gap:4px;padding:4px 0}',
    '.typing i{width:7px;height:7px;border-radius:50%;background:#555;animation:bounce 1s infinite}',
    '.typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}',
    '@keyframes bounce{50%{opacity:.25;transform:translateY(-3px)}}',
    '.notice{margin:0 12px 8px;padding:8px 12px;border-radius:10px;background:#eaf1fb;'
      + 'color:#1b3a6b;font-size:14px}',
    '.human-button{margin:0 12px 8px;align-self:flex-start;background:#fff;'
      + 'border:1px solid #6b6b6b;border-radius:99px;padding:5px 14px;font-size:14px}',
    'form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #ddd}',
    'textarea{flex:1;resize:none;border:1px solid #767676;border-radius:10px;padding:8px 10px;'
      + 'height:42px;max-height:120px;background:#fff}',
    '.primary{background:var(--accent);color:var(--on-accent);border:0;border-radius:10px;'
      + 'padding:0 16px;font-weight:600}',
    '.error{margin:0 12px 10px;color:#a00d0d;font-size:13px}',
    '.contact{display:grid;gap:6px;margin:0 12px 8px;padding:10px 12px;border:1px solid #d0d0d0;'
      + 'border-radius:10px;background:#f7f7f7;font-size:14px}',
    '.contact p,.contact .error{margin:0}.contact label{font-weight:600}',
    '.contact-row{display:flex;gap:8px}',
    '.contact input{flex:1;min-width:0;font:inherit;border:1px solid #767676;border-radius:10px;'
      + 'padding:8px 10px;background:#fff}',
    '.contact .primary{padding:8px 12px}',
    // On a phone the open chat takes the whole screen.
    '@media (max-width:479px){.widget.open .panel{position:fixed;inset:0;width:auto;height:auto;'
      + 'max-width:none;max-height:none;border-radius:0}.widget.open .launcher{display:none}}',
    '@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}',
  ].join('');
}
