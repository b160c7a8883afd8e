"""Plans (*alberatura della pianificazione*): the tree of areas, objectives and
indicators, imported from planning reports, evaluated and scored by weight."""
