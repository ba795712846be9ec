"""The plugin's widgets: search dialog, settings, map tools and the image viewer."""
