"""Disposal of all data at the end of the contract (N-DATA-2, 個人情報特記事項 第10条)."""
