// ncursesw with the wide-character API switched on. SwiftPM drops pkg-config's -D flags, so
// the define lives here, before curses.h.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <wchar.h>
#include <curses.h>

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
