"""Charts for the Dagster UI: matplotlib figures rendered headless and inlined as markdown.

Asset metadata can carry markdown but not files, so a chart travels as a base64 PNG in a
markdown image; the UI shows it behind "[Show Markdown]". One place renders them, so every
chart in the UI is made the same way.
"""

from __future__ import annotations

import base64
import io


def pyplot():
    """``matplotlib.pyplot`` on the headless Agg backend (assets run without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png_markdown(fig, alt: str, dpi: int = 90) -> str:
    """``fig`` as an inline markdown image (and the figure closed)."""
    plt = pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return f"![{alt}](data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()})"
