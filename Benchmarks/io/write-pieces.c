/* Putting decoded bytes into a new file through the page cache (docs/performance.md, "Writing in
   cache-sized pieces"): each piece is filled with memset (as a decoder fills its output), then
     write     pwrite(2) at its offset, the pieces cycling through NBUFS buffers
     mmap      the file mapped; each piece pre-faulted with MADV_POPULATE_WRITE, then filled in place
   Prints the process CPU time (user + system), which the machine's other jobs do not inflate much.
   Build: cc -O2 write-pieces.c -o write-pieces
   Run:   ./write-pieces OUT write|mmap TOTAL-MIB PIECE-KIB NBUFS   (delete OUT between runs)
   e.g.   ./write-pieces o write 384 8192 6   vs   ./write-pieces o write 384 256 1 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
static double cpu(void){struct timespec t;clock_gettime(CLOCK_PROCESS_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int c,char**v){
 if(c<6){fprintf(stderr,"usage: %s OUT write|mmap TOTAL-MIB PIECE-KIB NBUFS\n",v[0]);return 2;}
 const char*mode=v[2];size_t total=(size_t)atol(v[3])<<20,piece=(size_t)atol(v[4])<<10;int nb=atoi(v[5]);
 int fd=open(v[1],O_RDWR|O_CREAT|O_TRUNC,0644);if(fd<0){perror(v[1]);return 1;}
 double t=cpu();
 if(!strcmp(mode,"write")){
  char**b=malloc(nb*sizeof(char*));for(int i=0;i<nb;i++){b[i]=aligned_alloc(4096,piece);memset(b[i],1,piece);}
  t=cpu();
  for(size_t o=0,k=0;o<total;o+=piece,k++){char*p=b[k%nb];memset(p,(int)(k|1),piece);
   if(pwrite(fd,p,piece,o)!=(ssize_t)piece){perror("pwrite");return 1;}}
 }else if(!strcmp(mode,"mmap")){
  if(ftruncate(fd,total)){perror("ftruncate");return 1;}
  char*m=mmap(0,total,PROT_READ|PROT_WRITE,MAP_SHARED,fd,0);if(m==MAP_FAILED){perror("mmap");return 1;}
  for(size_t o=0,k=0;o<total;o+=piece,k++){if(madvise(m+o,piece,MADV_POPULATE_WRITE)){perror("madvise");return 1;}memset(m+o,(int)(k|1),piece);}
  munmap(m,total);
 }else{fprintf(stderr,"unknown mode %s\n",mode);return 2;}
 close(fd);printf("%-5s piece %5zu KiB x %d: %.3f s CPU\n",mode,piece>>10,nb,cpu()-t);return 0;}
