"""Interaction history (対応履歴, F-2.1.4): saved at wrap-up, versioned on edit, never personal."""
