"""Aldeamo: bots on WhatsApp, Messenger, Twitter and web chat, and SMS."""
