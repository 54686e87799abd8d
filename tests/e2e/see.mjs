// What a screenshot shows, checked.  A screenshot alone is compared to
// nothing, so snap() asserts what the picture must show (exact texts,
// visible and hidden parts, the focused field) and what every page owes
// its reader (nothing wider than the viewport, the accessibility basics)
// before it takes the picture.  axe-core is not installed, so the
// accessibility checks are our own, in the page, below.
import assert from 'node:assert/strict';

// Elements that stick out of the viewport sideways, and the page's widths.
export async function overflow(page) {
	return page.evaluate(() => {
		const vw = document.documentElement.clientWidth;
		const wide = [...document.querySelectorAll('body *')]
			.filter((el) => {
				const r = el.getBoundingClientRect();
				// Hidden helpers (the honeypot, the skip link) sit off screen on purpose.
				return r.width > 0 && (r.right > vw + 1 || r.left < -1) && !el.closest('.hp, .skip, .visually-hidden');
			})
			.slice(0, 5)
			.map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className}`);
		return { doc: document.documentElement.scrollWidth, vw, wide };
	});
}

// Nothing scrolls sideways: the page is as wide as the viewport.
export async function assertFits(page) {
	const o = await overflow(page);
	assert.ok(o.doc <= o.vw, `the page is ${o.doc}px wide in a ${o.vw}px viewport: ${o.wide}`);
	assert.deepEqual(o.wide, [], `elements stick out of the ${o.vw}px viewport`);
}

// The accessibility basics, one message per problem found.
export async function a11yProblems(page) {
	return page.evaluate(() => {
		const out = [];
		const shown = (el) => {
			const r = el.getBoundingClientRect();
			const s = getComputedStyle(el);
			return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('[aria-hidden=true]');
		};
		const name = (el) => (el.getAttribute('aria-label') || el.textContent ||
			[...el.querySelectorAll('img[alt], svg title')].map((i) => i.alt || i.textContent).join('')).trim();
		if (!document.documentElement.lang) out.push('no lang on <html>');
		if (!document.title.trim()) out.push('no title');
		if (document.querySelectorAll('h1').length !== 1) out.push(`${document.querySelectorAll('h1').length} h1 elements`);
		if (!document.querySelector('main')) out.push('no <main> landmark');
		// Heading levels go down one at a time.
		let level = 0;
		for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
			const l = Number(h.tagName[1]);
			if (level && l > level + 1) out.push(`${h.tagName} "${h.textContent.trim()}" after h${level}`);
			level = l;
		}
		for (const el of document.querySelectorAll('input:not([type=hidden]), textarea, select')) {
			if (!shown(el)) continue;
			const label = el.getAttribute('aria-label') || [...(el.labels || [])].map((l) => l.textContent).join('');
			if (!label.trim()) out.push(`unlabelled field #${el.id || el.name}`);
			for (const id of (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean))
				if (!document.getElementById(id)) out.push(`#${el.id} described by missing #${id}`);
			// A field marked invalid says why, in the element that describes it.
			if (el.getAttribute('aria-invalid') === 'true') {
				const why = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
					.map((id) => document.getElementById(id)?.textContent.trim() || '').join('');
				if (!why) out.push(`#${el.id} is invalid with no message`);
			}
		}
		for (const el of document.querySelectorAll('a[href], button')) {
			if (shown(el) && !name(el)) out.push(`${el.tagName.toLowerCase()} without a name: ${el.outerHTML.slice(0, 80)}`);
		}
		for (const img of document.images) if (!img.hasAttribute('alt')) out.push(`img without alt: ${img.src}`);
		for (const svg of document.querySelectorAll('svg')) {
			if (!shown(svg) || svg.closest('a, button')) continue;
			const labelled = svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby') || svg.querySelector('title');
			if (!labelled && svg.getAttribute('aria-hidden') !== 'true') out.push(`svg without a title: ${svg.getAttribute('class')}`);
		}
		// Text contrast as WCAG 2 AA counts it: 4.5:1, or 3:1 for large text,
		// against the nearest background colour; disabled controls are exempt.
		const rgba = (s) => {
			const m = s.match(/[\d.]+/g).map(Number);
			return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 };
		};
		const lum = (c) => {
			const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
			return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
		};
		const backdrop = (el) => {
			for (let e = el; e; e = e.parentElement) {
				const c = rgba(getComputedStyle(e).backgroundColor);
				if (c.a > 0) return c;
			}
			return { r: 255, g: 255, b: 255, a: 1 };
		};
		for (const el of document.querySelectorAll('body *')) {
			if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
			if (!shown(el) || el.closest('.hp, .skip, :disabled')) continue;
			const s = getComputedStyle(el);
			const fg = rgba(s.color), bg = backdrop(el);
			const seen = { r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a) };
			const [hi, lo] = [lum(seen), lum(bg)].sort((x, y) => y - x);
			const ratio = (hi + 0.05) / (lo + 0.05);
			const size = parseFloat(s.fontSize);
			const need = size >= 24 || (Number(s.fontWeight) >= 700 && size >= 18.66) ? 3 : 4.5;
			if (ratio < need) out.push(`contrast ${ratio.toFixed(2)} < ${need}: ${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}"`);
		}
		const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
		const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
		if (dup.length) out.push(`duplicate ids: ${[...new Set(dup)]}`);
		return out;
	});
}

export async function assertAccessible(page) {
	assert.deepEqual(await a11yProblems(page), [], `accessibility problems on ${page.url()}`);
}

// The box of the one element sel names, which must be laid out.
export async function boxOf(page, sel) {
	const b = await page.locator(sel).boundingBox();
	assert.ok(b, `${sel} is not laid out`);
	return b;
}

// lower starts where upper ends (or further down) and shares its column.
export async function assertBelow(page, upper, lower, { maxGap = Infinity } = {}) {
	const u = await boxOf(page, upper), l = await boxOf(page, lower);
	const gap = l.y - (u.y + u.height);
	assert.ok(gap >= -1, `${lower} (top ${l.y}) is not below ${upper} (bottom ${u.y + u.height})`);
	assert.ok(gap <= maxGap, `${lower} is ${gap}px below ${upper}, more than ${maxGap}px`);
	assert.ok(l.x < u.x + u.width && u.x < l.x + l.width, `${lower} is not in the column of ${upper}`);
}

// The top of sel is on screen (the page was scrolled to it).
export async function assertInView(page, sel) {
	const b = await boxOf(page, sel);
	const h = page.viewportSize().height;
	assert.ok(b.y >= -2 && b.y < h, `${sel} starts at ${b.y}px, outside the ${h}px viewport`);
}

// left and right on one row, left's right edge before right's left edge.
export async function assertSideBySide(page, left, right) {
	const a = await boxOf(page, left), b = await boxOf(page, right);
	assert.ok(a.x + a.width <= b.x + 1, `${left} (right edge ${a.x + a.width}) overlaps ${right} (left edge ${b.x})`);
	assert.ok(Math.abs(a.y - b.y) <= 2, `${left} starts at ${a.y}, ${right} at ${b.y}: not one row`);
}

// Asserts what a screenshot shows, then takes it:
//   text     { selector: exact visible text } (each selector one element)
//   visible  selectors that must be on screen; hidden: absent or not shown
//   focus    the id of the focused element
// and always: nothing wider than the viewport, the accessibility basics.
export async function snap(page, path, { text = {}, visible = [], hidden = [], focus } = {}) {
	for (const [sel, want] of Object.entries(text))
		assert.equal((await page.locator(sel).innerText()).trim(), want, `the text of ${sel}`);
	for (const sel of visible) assert.equal(await page.locator(sel).isVisible(), true, `${sel} is not visible`);
	for (const sel of hidden) assert.equal(await page.locator(sel).isVisible(), false, `${sel} is visible`);
	if (focus !== undefined)
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), focus, 'the focused element');
	await assertFits(page);
	await assertAccessible(page);
	await page.screenshot({ path, fullPage: true });
}
