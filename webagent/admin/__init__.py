"""Administrators' settings screens (設定変更, admin.settings): one page per setting."""
