"""Test support: real servers started on loopback, and helpers to drive the app."""
