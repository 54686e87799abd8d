// The moderation queue's keys: j and k move between comments, a approves,
// s marks spam, t trashes the one in focus.  The page works without them:
// every action is a button of one form.
(function () {
	'use strict';
	var items = Array.prototype.slice.call(document.querySelectorAll('.mod-item'));
	if (items.length === 0) return;
	var current = -1;

	function select(i) {
		if (i < 0 || i >= items.length) return;
		if (current >= 0) items[current].classList.remove('current');
		current = i;
		items[i].classList.add('current');
		items[i].setAttribute('tabindex', '-1');
		items[i].focus();
	}

	document.addEventListener('keydown', function (e) {
		var t = e.target;
		if (e.altKey || e.ctrlKey || e.metaKey) return;
		if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
		if (e.key === 'j') { select(current + 1); e.preventDefault(); return; }
		if (e.key === 'k') { select(current < 0 ? 0 : current - 1); e.preventDefault(); return; }
		if (current < 0) return;
		var button = items[current].querySelector('button[data-key="' + e.key + '"]');
		if (button) { e.preventDefault(); button.click(); }
	});
})();
