// Replies as TwiML: one <Message> per reply; no replies is an empty <Response/>.

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '') // not allowed in XML 1.0
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

export function twiml(replies: string[]): string {
  const body = replies.map((r) => `<Message>${escapeXml(r)}</Message>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}
