// Parley debates: votes and "this changed my mind" without a page load.
// Everything here is an enhancement: with script off, the same forms post
// and the server answers with the page, as before.
(function () {
	'use strict';

	if (!window.fetch || !window.DOMParser || !document.querySelector('.debate')) return;

	function post(form, submitter) {
		var data = new FormData(form);
		if (submitter && submitter.name) data.append(submitter.name, submitter.value);
		return fetch(form.action, {
			method: 'POST',
			body: new URLSearchParams(data),
			credentials: 'same-origin',
			headers: { 'Accept': 'text/html' }
		}).then(function (res) {
			return res.text().then(function (html) {
				return { res: res, doc: new DOMParser().parseFromString(html, 'text/html') };
			});
		});
	}

	// The sentence of an error page, or a general one.
	function errorText(doc) {
		var p = doc.querySelector('.error-page p:not(.status)');
		return p ? p.textContent : 'That did not work. Please try again.';
	}

	function say(text, isError) {
		var box = document.querySelector('#vote .vote-status');
		if (!box) return;
		box.textContent = '';
		var p = document.createElement('p');
		p.className = isError ? 'vote-error' : 'flash';
		p.textContent = text;
		box.appendChild(p);
	}

	// Swaps in the sections of a fresh page that a vote changes.
	function refresh(doc) {
		['vote', 'results', 'rules'].forEach(function (id) {
			var fresh = doc.getElementById(id), old = document.getElementById(id);
			if (fresh && old) old.replaceWith(fresh);
		});
	}

	document.addEventListener('submit', function (e) {
		var form = e.target;
		if (form.classList && form.classList.contains('vote-form')) {
			e.preventDefault();
			var button = form.querySelector('button[type=submit]');
			if (!form.querySelector('input[name=choice]:checked')) {
				say('Please choose one of the options before voting.', true);
				return;
			}
			button.disabled = true;
			post(form, null).then(function (r) {
				if (!r.res.ok) {
					button.disabled = false;
					say(errorText(r.doc), true);
					return;
				}
				refresh(r.doc);
				var flash = document.querySelector('#vote .flash');
				if (!flash) say('Your vote is counted.', false);
				var results = document.getElementById('results');
				if (results && results.querySelector('.verdict'))
					results.scrollIntoView({ block: 'nearest' });
			}).catch(function () {
				button.disabled = false;
				say('The network failed; your vote was not sent. Please try again.', true);
			});
			return;
		}
		if (form.id === 'mind-form') {
			e.preventDefault();
			var submitter = e.submitter;
			if (!submitter || submitter.name !== 'item') return;
			submitter.disabled = true;
			post(form, submitter).then(function (r) {
				var line = submitter.closest('.mind-line, .comment-actions');
				if (!r.res.ok) {
					submitter.disabled = false;
					var msg = document.createElement('span');
					msg.className = 'field-error';
					msg.textContent = errorText(r.doc);
					line.appendChild(msg);
					return;
				}
				// The same item in the fresh page carries the new count.
				var id = submitter.value[0] === 's' ? 'statement-' + submitter.value.slice(1)
					: 'comment-' + submitter.value.slice(1);
				var item = r.doc.getElementById(id);
				var fresh = item && item.querySelector('.mind-line, .comment-actions');
				if (fresh) {
					line.replaceWith(fresh);
					line = fresh;
				}
				var b = line.querySelector('.mind-button');
				if (b) {
					b.setAttribute('aria-pressed', 'true');
					b.textContent = 'You said this changed your mind';
					b.disabled = true;
				}
			}).catch(function () {
				submitter.disabled = false;
			});
		}
	});
})();
