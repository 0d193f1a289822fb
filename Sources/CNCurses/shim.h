// ncursesw with the wide-character API switched on. SwiftPM drops pkg-config's -D flags, so
// the define lives here, before curses.h.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <wchar.h>
#include <curses.h>
#include <term.h>

// Attribute and mouse macros do not import into Swift; these inline functions carry them.
static inline unsigned int grp_attr_bold(void) { return (unsigned int)A_BOLD; }
static inline unsigned int grp_attr_dim(void) { return (unsigned int)A_DIM; }
static inline unsigned int grp_attr_reverse(void) { return (unsigned int)A_REVERSE; }
static inline unsigned int grp_attr_underline(void) { return (unsigned int)A_UNDERLINE; }
static inline unsigned int grp_attr_normal(void) { return (unsigned int)A_NORMAL; }
static inline unsigned long grp_all_mouse_events(void) { return (unsigned long)ALL_MOUSE_EVENTS; }
static inline unsigned long grp_button1_pressed(void) { return (unsigned long)BUTTON1_PRESSED; }
static inline unsigned long grp_button4_pressed(void) { return (unsigned long)BUTTON4_PRESSED; }
static inline unsigned long grp_button5_pressed(void) { return (unsigned long)BUTTON5_PRESSED; }

// One cell: setcchar with the colour pair passed through `opts`, so pairs above 32767 work
// (the short argument cannot carry them).
static inline int grp_set_cell(cchar_t *cell, wchar_t ch, attr_t attrs, int pair) {
  wchar_t text[2] = { ch, 0 };
  return setcchar(cell, text, attrs, 0, &pair);
}

// The colour count a terminfo entry declares, -1 when there is no such entry. Opens no screen,
// so colour detection can run (and pick a direct-colour entry) before newterm.
static inline int grp_terminfo_colors(const char *name) {
  int err = 0;
  TERMINAL *saved = cur_term;
  if (setupterm(name, 1, &err) != OK) { if (saved) set_curterm(saved); return -1; }
  TERMINAL *probe = cur_term;
  int colors = tigetnum("colors");
  set_curterm(saved);
  del_curterm(probe);
  return colors;
}

// Globals that Swift 6 would flag as shared mutable state, read through functions instead.
static inline WINDOW *grp_stdscr(void) { return stdscr; }
static inline int grp_colors(void) { return COLORS; }
static inline int grp_color_pairs(void) { return COLOR_PAIRS; }
