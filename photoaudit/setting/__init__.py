"""What the setting keeps for photoaudit: photoaudit.toml, the consent register, the device
register and the reference photos in faces/. Reads them; never writes them.
"""
