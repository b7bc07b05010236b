"""gatsby-tui: careers guidance records for English schools.

Importing the package must stay cheap: it must not import Textual.
"""

__version__ = "0.1.0"
