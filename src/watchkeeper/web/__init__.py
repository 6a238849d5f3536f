"""The web app: console pages, the API, health and metrics endpoints."""
