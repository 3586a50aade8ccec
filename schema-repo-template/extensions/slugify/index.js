// The slugify hook: runs in Cairn's sandbox (QuickJS) on items.create and
// items.update of articles, receives the payload being written and returns it,
// with `slug` filled in from `title` when the payload sets a title but no slug.
// Plain JavaScript: no imports, no file system, no network.

function slugify(text) {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // drop accents: "Café" -> "Cafe"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')      // anything else becomes a dash
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
}

export default function ({ payload }) {
  if (!payload || typeof payload.title !== 'string') return payload;
  if (typeof payload.slug === 'string' && payload.slug !== '') return payload;
  const slug = slugify(payload.title);
  return slug === '' ? payload : { ...payload, slug };
}
