"""The browser screens: agent desk, supervisor wallboard, admin and city-staff pages."""
