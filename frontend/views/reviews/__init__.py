"""Review pages: the expert pool, a round's set-up and progress, an expert's reviews, the ranking.

Operators run the pool and the rounds; experts answer invitations and score; the issuing agency
follows progress and reads the ranking. Each view fetches through an access helper (404 for what
the user may not know of), checks the action's permission (403), calls one service, redirects.
"""
