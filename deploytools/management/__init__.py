"""Django's management-command package of deploytools."""
