"""Writers for files that leave the app: calendar files now, PDF/HTML/Markdown/JSON/CSV later.

Heavy libraries (icalendar, fpdf) are imported inside the functions that use them, never at
module import, so starting the app does not pay for them.
"""
