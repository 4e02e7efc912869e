// The bench site's one script, as small marketing sites have: a cookie banner, the current year,
// and a little client-side form check. Loaded with `defer` on every page.
(function () {
	var banner = document.getElementById('cookie-banner');
	if (banner && !localStorage.getItem('cookies-ok')) {
		banner.hidden = false;
		banner.querySelector('button').addEventListener('click', function () {
			localStorage.setItem('cookies-ok', '1');
			banner.hidden = true;
		});
	}
	var year = document.getElementById('year');
	if (year) year.textContent = String(new Date().getFullYear());
	var form = document.querySelector('form.contact');
	if (form) {
		form.addEventListener('submit', function (event) {
			var email = form.querySelector('input[type=email]');
			if (email && !/.+@.+\..+/.test(email.value)) {
				event.preventDefault();
				email.setAttribute('aria-invalid', 'true');
			}
		});
	}
})();
