// The server's HTTP API (docs/demo.md): JSON requests, errors, and the pixel encoding.

/** An HTTP error answered by the server as {"error": "message"}. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function answer(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = body && typeof body.error === 'string' ? body.error : text || response.statusText;
    throw new ApiError(response.status, message);
  }
  return body;
}

export async function getJSON(url) {
  return answer(await fetch(url, { cache: 'no-store' }));
}

export async function postJSON(url, body = {}) {
  return answer(
    await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

/** base64 of D bytes (0 → low end of pixel_range, 255 → high end) → Uint8Array(D). */
export function decodePixels(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Uint8Array(D) → base64, the inverse of decodePixels. */
export function encodePixels(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return btoa(text);
}
