"""The face engine: find faces in upright pixels and compute their templates (dlib, YuNet,
the numpy ResNet). Imports only the core and media.
"""
