"""Talk scripts (F-2.1.2): steps, items to confirm and hand-off criteria per work type and menu."""
