"""Join a workshop: a phone in the room types the code (or opens the QR code's link,
`/join?session=CODE`) and sends reports through the same form as Add to the map."""

from lib.ui import link_check, widgets, workshop

link_check.check_link("join")  # /join?code=K7M2QX: a note naming `session`, not a silent box
layers = widgets.require_layers()
engine = widgets.require_store()
workshop.join_page(engine, layers)
