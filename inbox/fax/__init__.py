"""Received faxes: from FreeSWITCH and from fax-to-mail services, to PDF, page images and CRM."""
