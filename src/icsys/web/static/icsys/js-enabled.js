// Marks the page as scripted before it renders (kept out of the HTML: the CSP forbids inline script).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
