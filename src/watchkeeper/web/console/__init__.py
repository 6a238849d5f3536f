"""Server-rendered console pages (GOV.UK Frontend, generic header); they work without JavaScript."""
