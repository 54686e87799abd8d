// Parley: posting and replying in place. Everything here is an
// enhancement: with script off, the same links and forms work by page loads.
(function () {
	'use strict';

	function respond() { return document.getElementById('respond'); }

	function commentIds(root) {
		var ids = {};
		root.querySelectorAll('li.comment').forEach(function (li) { ids[li.id] = true; });
		return ids;
	}

	function setReplyTitle(name) {
		var title = document.getElementById('reply-title');
		if (!title) return;
		title.textContent = name ? 'Reply to ' + name + ' ' : 'Leave a Reply';
		if (name) {
			var cancel = document.createElement('a');
			cancel.href = '#respond';
			cancel.className = 'cancel-reply';
			cancel.textContent = 'Cancel reply';
			title.appendChild(cancel);
		}
	}

	function moveFormTo(comment, id, name) {
		var form = respond(), parent = document.getElementById('parent');
		if (!form || !parent) return;
		if (comment) {
			comment.querySelector('article').after(form);
		} else {
			var section = document.getElementById('comments');
			var lists = section.querySelectorAll(':scope > .comment-pages');
			(lists.length ? lists[lists.length - 1] : section.querySelector('.comment-list')).after(form);
		}
		parent.value = id || '0';
		setReplyTitle(name);
		var body = document.getElementById('body');
		if (body) body.focus();
	}

	document.addEventListener('click', function (e) {
		var link = e.target.closest('.reply-link');
		if (link) {
			e.preventDefault();
			moveFormTo(link.closest('li.comment'), link.dataset.replyTo, link.dataset.author);
			return;
		}
		if (e.target.closest('.cancel-reply')) {
			e.preventDefault();
			moveFormTo(null, '0', '');
		}
	});

	function announce(text) {
		var live = document.getElementById('parley-live');
		if (!live) {
			live = document.createElement('div');
			live.id = 'parley-live';
			live.className = 'visually-hidden';
			live.setAttribute('aria-live', 'polite');
			document.body.appendChild(live);
		}
		live.textContent = text;
	}

	document.addEventListener('submit', function (e) {
		var form = e.target;
		if (form.id !== 'commentform' || !window.fetch || !window.DOMParser) return;
		e.preventDefault();
		var button = form.querySelector('button[type=submit]');
		var section = document.getElementById('comments');
		var before = commentIds(section);
		button.disabled = true;
		fetch(form.action, {
			method: 'POST',
			body: new URLSearchParams(new FormData(form)),
			credentials: 'same-origin',
			headers: { 'Accept': 'text/html' }
		}).then(function (res) {
			return res.text().then(function (html) { return { res: res, html: html }; });
		}).then(function (r) {
			var doc = new DOMParser().parseFromString(r.html, 'text/html');
			if (r.res.ok) {
				var fresh = doc.getElementById('comments');
				if (!fresh) { window.location.href = r.res.url; return; }
				section.replaceWith(fresh);
				var added = null;
				fresh.querySelectorAll('li.comment').forEach(function (li) {
					if (!before[li.id]) added = li;
				});
				if (r.res.url !== window.location.href.split('#')[0])
					history.replaceState(null, '', r.res.url + (added ? '#' + added.id : ''));
				if (added) {
					added.classList.add('is-new');
					// Keyboard users keep their place: focus moves to the new comment.
					added.setAttribute('tabindex', '-1');
					added.focus({ preventScroll: true });
					added.scrollIntoView({ block: 'center' });
					announce('Your comment was posted.');
				}
				return;
			}
			var refused = doc.getElementById('respond');
			if (!refused) {
				announce('Your comment could not be sent. Please try again.');
				button.disabled = false;
				return;
			}
			respond().replaceWith(refused);
			var bad = refused.querySelector('[aria-invalid=true]');
			(bad || refused.querySelector('.form-error') || refused).focus();
			announce('Please check the form.');
		}).catch(function () {
			button.disabled = false;
			announce('The network failed; your comment was not sent. Please try again.');
		});
	});
})();
