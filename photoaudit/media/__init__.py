"""Media files: finding them in a folder, decoding photos, EXIF, videos, pictures inside
pictures, writing private files and publishable copies. Imports only the core.
"""
