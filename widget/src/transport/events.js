// Server-sent events read from a fetch response (EventSource cannot POST or send headers).

/**
 * Calls `onEvent(name, data)` for each event of the stream until it ends. `data` is the
 * parsed JSON, or `{text}` when the data is not JSON. Throws if the connection breaks.
 * @param {Response} response
 * @param {(name: string, data: any) => void} onEvent
 */
export async function readServerSentEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const chunk = await reader.read();
    // At the end, a blank line closes an event the server left open.
    buffer += chunk.done ? '\n\n' : decoder.decode(chunk.value, { stream: true });
    // Any line ending counts; a lone \r at the very end may be half of a \r\n still to come.
    buffer = buffer.replace(/\r\n/g, '\n').replace(/\r(?!$)/g, '\n');
    let blankLine;
    while ((blankLine = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, blankLine);
      buffer = buffer.slice(blankLine + 2);
      dispatch(block, onEvent);
    }
    if (chunk.done) return;
  }
}

function dispatch(block, onEvent) {
  let name = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    const [, field, value] = /^([^:]*):? ?(.*)$/.exec(line);
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  if (!data.length) return;
  let payload;
  try {
    payload = JSON.parse(data.join('\n'));
  } catch {
    payload = { text: data.join('\n') };
  }
  onEvent(name, payload);
}
