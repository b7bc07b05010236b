"""``gatsby-tui serve``: the app in a browser, for a school's careers team on one file.

``auth`` (sessions, signed cookies, the sign-in throttle; no web framework), ``server`` (the
aiohttp server: sign-in pages and the websocket to each session's app process), ``session`` (the
app process, run as the adviser who signed in) and ``app`` (the app as it behaves in a browser).
"""
