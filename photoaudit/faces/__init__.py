"""The face engine: find faces in upright pixels and compute their templates (CenterFace,
YuNet, dlib, the numpy ResNet). Imports only the core and media.
"""
