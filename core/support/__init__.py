"""Support: what happens when a person needs a human.

`tickets` opens and redacts hand-off tickets, `hours` says when support is staffed, and `desk` is the agents'
side: sign-in, the queue of tickets and the live chat with a person.
"""
