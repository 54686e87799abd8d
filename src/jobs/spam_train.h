/*
 * spam_train: the background learner.  One thread wakes when moderators
 * approve comments or mark them spam (or once a minute), teaches the
 * saved spam model those decisions, saves it and puts it in use: the
 * request path only ever scores.  With no new decision it puts the saved
 * model in use, so one `parley spam train` made is taken up within a
 * minute.
 */
#ifndef PARLEY_SPAM_TRAIN_H
#define PARLEY_SPAM_TRAIN_H

struct app;
struct spam_trainer;

/* Starts the learner; NULL (with a log line) when it cannot. */
struct spam_trainer *spam_train_start(struct app *app);
/* Stops it, letting a round in progress finish.  NULL is fine. */
void spam_train_stop(struct spam_trainer *t);

#endif
