// Shows the failure note after a refused login (the server redirects here with ?failed).
if (new URLSearchParams(location.search).has('failed')) {
  document.getElementById('failed').hidden = false;
}
